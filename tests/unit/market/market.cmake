# Market (issue 6): pure clearing - fixed price, uniform-price auction, continuous order book.
headroom_test(tst_clearing LABEL unit SOURCES market/tst_clearing.cpp)
headroom_test(tst_marketservice LABEL unit SOURCES market/tst_marketservice.cpp)
