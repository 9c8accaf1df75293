# Purchaser API (issue 6) over real HTTP: in-process server, raw sockets, TLS (openssl CLI), and
# `headroomctl api` as a process.
headroom_test(tst_purchaser_api LABEL integration TIMEOUT 180 SOURCES tst_purchaser_api.cpp)
add_dependencies(tst_purchaser_api headroomctl)
