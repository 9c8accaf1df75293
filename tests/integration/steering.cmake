# The end-to-end proof of the steering loop (issue 5): leases, `headroomctl run`, real servers.
headroom_test(tst_steering_e2e LABEL integration TIMEOUT 420 SOURCES tst_steering_e2e.cpp)
# The site, lease and purchaser verbs through the command line, on a database of their own.
headroom_test(tst_ctl_leases LABEL integration SOURCES tst_ctl_leases.cpp)
