# A graceful HAProxy restart in the middle of a run neither loses nor double-counts (issue 4).
headroom_test(tst_fleet_restart LABEL integration TIMEOUT 240 SOURCES tst_fleet_restart.cpp)
add_dependencies(tst_fleet_restart headroomctl)
