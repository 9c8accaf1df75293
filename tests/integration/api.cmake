# Purchaser API (issue 6) over real HTTP.
