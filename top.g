      0 TOTAL
