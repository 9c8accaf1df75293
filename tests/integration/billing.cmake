# Billing (issue 7) against a real sandbox.
# The billing verbs through the command line, on a database of their own (no servers).
headroom_test(tst_ctl_billing LABEL integration TIMEOUT 180 SOURCES tst_ctl_billing.cpp)
add_dependencies(tst_ctl_billing headroomctl)
# Known traffic through the sandbox's real proxies (one reloaded mid-run), metered by
# `headroomctl run`, invoiced by `headroomctl billing invoice run`: total = requests x price.
headroom_test(tst_billing_e2e LABEL integration TIMEOUT 300 SOURCES tst_billing_e2e.cpp)
add_dependencies(tst_billing_e2e headroomctl)
