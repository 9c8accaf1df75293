# Market service (issue 6) end to end through the CLI.
headroom_test(tst_ctl_market LABEL integration TIMEOUT 240 SOURCES tst_ctl_market.cpp)
add_dependencies(tst_ctl_market headroomctl)
