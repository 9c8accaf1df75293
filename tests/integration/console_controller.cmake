# The console's steering loop (ControllerHost) against `headroomctl run` on a real sandbox.
headroom_test(tst_console_controller LABEL integration TIMEOUT 300 SOURCES tst_console_controller.cpp)
add_dependencies(tst_console_controller headroomctl)
