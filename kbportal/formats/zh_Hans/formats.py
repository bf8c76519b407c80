# Django's Simplified Chinese formats ("2026年11月26日 15:32") are the portal's, but for the month and day
# without the year, which Django pads to "09月5日"; Chinese writes "9月5日".
MONTH_DAY_FORMAT = "n月j日"  # 9月5日
