# Issue 8: crash safety and faults, against a real sandbox.
# `headroomctl run` SIGKILLed at random points (200 kills; HEADROOM_CRASH_KILLS=1000 for the long
# mode, see docs/RELIABILITY.md), checked after every restart.
headroom_test(tst_crash_safety LABEL integration TIMEOUT 1800 SOURCES tst_crash_safety.cpp)
add_dependencies(tst_crash_safety headroomctl)
