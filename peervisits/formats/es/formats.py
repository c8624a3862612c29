# Spanish as the partner ministries write it (Chile, Colombia, Paraguay, Uruguay):
# 1.234.567,50 — Django's generic Spanish groups thousands with a space instead.
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
