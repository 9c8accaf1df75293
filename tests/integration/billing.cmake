# Billing (issue 7) against a real sandbox.
