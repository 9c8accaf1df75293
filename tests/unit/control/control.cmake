# Steering control: pure scheduling and allocation logic.
headroom_test(tst_schedulecheck LABEL unit SOURCES control/tst_schedulecheck.cpp)
headroom_test(tst_allocator LABEL unit SOURCES control/tst_allocator.cpp)
headroom_test(tst_steeringlaw LABEL unit SOURCES control/tst_steeringlaw.cpp)
headroom_test(tst_lifecycle LABEL unit SOURCES control/tst_lifecycle.cpp)
headroom_test(tst_weightplan LABEL unit SOURCES control/tst_weightplan.cpp)
# The console's host of the steering loop and the one-controller lock (no servers).
headroom_test(tst_controllerhost LABEL unit TIMEOUT 90 SOURCES control/tst_controllerhost.cpp)
