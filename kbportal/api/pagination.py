from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """Page-number pagination; a client may ask for smaller or larger pages up to a hard cap."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
