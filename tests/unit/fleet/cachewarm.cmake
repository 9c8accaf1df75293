# Cache warming (issue 4): the URL list a purchaser gives (hostile input), parsed strictly.
headroom_test(tst_warmlist LABEL unit SOURCES fleet/tst_warmlist.cpp)
