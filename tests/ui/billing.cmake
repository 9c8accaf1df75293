# Billing view (issue 7). The large-export test stores 200,000 usage samples first.
headroom_test(tst_billingview LABEL ui TIMEOUT 300 SOURCES tst_billingview.cpp LIBS headroom_ui)
