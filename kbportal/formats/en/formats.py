# One style for every date on an English page: Django's English writes short dates as "11/26/2026" beside
# "Nov. 26, 2026", and times on a 12-hour clock ("3:32 p.m.") beside the 24-hour times service levels are
# given in. Here a date is always "Nov. 26, 2026" and a time "15:32".
SHORT_DATE_FORMAT = "N j, Y"  # Nov. 26, 2026
TIME_FORMAT = "H:i"  # 15:32
DATETIME_FORMAT = "N j, Y, H:i"  # Nov. 26, 2026, 15:32
SHORT_DATETIME_FORMAT = "N j, Y, H:i"  # Nov. 26, 2026, 15:32
MONTH_DAY_FORMAT = "N j"  # Nov. 26
