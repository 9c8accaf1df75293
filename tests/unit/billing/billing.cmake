# Billing (issue 7).
