"""No models of its own (the lockout's are django-axes'). The module exists because `migrate` sends its
post_migrate signal only to apps with a models module, and this app creates the rate-limit table then."""
