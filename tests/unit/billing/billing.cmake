# Billing (issue 7).
headroom_test(tst_billing_rating LABEL unit SOURCES billing/tst_rating.cpp)
headroom_test(tst_billing_shortfall LABEL unit SOURCES billing/tst_shortfall.cpp)
headroom_test(tst_billing_invoices LABEL unit TIMEOUT 120 SOURCES billing/tst_invoices.cpp)
headroom_test(tst_billing_export LABEL unit SOURCES billing/tst_export.cpp)
headroom_test(tst_billing_meter LABEL unit SOURCES billing/tst_meter.cpp)
