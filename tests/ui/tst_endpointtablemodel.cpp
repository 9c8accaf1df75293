#include "endpointtablemodel.h"
#include "statuspresentation.h"
#include "uitestdata.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>

using namespace headroom;

class TestEndpointTableModel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void emptyWithoutMonitor();
    void passesModelTester();
    void showsEveryColumn();
    void stateColoursAndIcons_data();
    void stateColoursAndIcons();
    void healthUpdateKeepsRows();
    void newEndpointResets();
    void sortsBySeverityAndLatency();
    void followsMonitor();
};

void TestEndpointTableModel::emptyWithoutMonitor()
{
    EndpointTableModel model(nullptr);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.columnCount(), int(EndpointTableModel::ColumnCount));
    QCOMPARE(model.headerData(EndpointTableModel::LastChecked, Qt::Horizontal).toString(),
             QStringLiteral("Last checked"));
}

void TestEndpointTableModel::passesModelTester()
{
    EndpointTableModel model(nullptr);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEndpoints(testdata::sampleEndpoints());
    QList<EndpointHealth> changed = testdata::sampleEndpoints();
    changed[3].state = EndpointHealth::State::Up;
    model.setEndpoints(changed);
    changed.removeLast();
    model.setEndpoints(changed);
    model.setEndpoints({});
}

void TestEndpointTableModel::showsEveryColumn()
{
    EndpointTableModel model(nullptr);
    model.setEndpoints(testdata::sampleEndpoints());
    QCOMPARE(model.rowCount(), 5);
    const auto text = [&model](int row, int column) {
        return model.index(row, column).data().toString();
    };
    QCOMPARE(text(0, EndpointTableModel::Name), QStringLiteral("pdns-auth"));
    QCOMPARE(text(0, EndpointTableModel::Kind), QStringLiteral("DNS"));
    QCOMPARE(text(0, EndpointTableModel::Address), QStringLiteral("127.0.0.1:25353"));
    QCOMPARE(text(0, EndpointTableModel::State), QStringLiteral("Up"));
    QVERIFY(text(0, EndpointTableModel::Latency).endsWith(QStringLiteral(" ms")));
    QVERIFY(text(0, EndpointTableModel::Detail).contains(QStringLiteral("SOA")));
    QCOMPARE(text(3, EndpointTableModel::Latency), QStringLiteral("—"));
    QCOMPARE(text(4, EndpointTableModel::Address), QStringLiteral("[::1]:8405"));
    QCOMPARE(text(4, EndpointTableModel::LastChecked), QStringLiteral("never"));
    QVERIFY(model.index(3, EndpointTableModel::Name)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("Connection refused")));
}

void TestEndpointTableModel::stateColoursAndIcons_data()
{
    QTest::addColumn<int>("row");
    QTest::addColumn<QString>("state");
    QTest::addColumn<QColor>("colour");
    QTest::newRow("up") << 0 << "Up" << presentation::color(HealthGrade::Up);
    QTest::newRow("slow") << 2 << "Slow" << presentation::color(HealthGrade::Slow);
    QTest::newRow("down") << 3 << "Down" << presentation::color(HealthGrade::Down);
    QTest::newRow("unknown") << 4 << "Unknown" << presentation::color(HealthGrade::Unknown);
}

void TestEndpointTableModel::stateColoursAndIcons()
{
    QFETCH(int, row);
    QFETCH(QString, state);
    QFETCH(QColor, colour);
    EndpointTableModel model(nullptr);
    model.setEndpoints(testdata::sampleEndpoints());
    const QModelIndex index = model.index(row, EndpointTableModel::State);
    QCOMPARE(index.data().toString(), state);
    QCOMPARE(index.data(Qt::ForegroundRole).value<QColor>(), colour);
    const QIcon icon = index.data(Qt::DecorationRole).value<QIcon>();
    QVERIFY(!icon.isNull());
    const QImage image = icon.pixmap(16, 16).toImage();
    QCOMPARE(image.pixelColor(8, 8).rgb(), colour.rgb());
}

void TestEndpointTableModel::healthUpdateKeepsRows()
{
    EndpointTableModel model(nullptr);
    model.setEndpoints(testdata::sampleEndpoints());
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QList<EndpointHealth> next = testdata::sampleEndpoints();
    next[1].state = EndpointHealth::State::Down;
    model.setEndpoints(next);
    QCOMPARE(reset.count(), 0);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(model.index(1, EndpointTableModel::State).data().toString(), QStringLiteral("Down"));
}

void TestEndpointTableModel::newEndpointResets()
{
    EndpointTableModel model(nullptr);
    model.setEndpoints(testdata::sampleEndpoints());
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QList<EndpointHealth> next = testdata::sampleEndpoints();
    next[1].name = QStringLiteral("proxy9");
    model.setEndpoints(next);
    QCOMPARE(reset.count(), 1);
}

void TestEndpointTableModel::sortsBySeverityAndLatency()
{
    EndpointTableModel model(nullptr);
    model.setEndpoints(testdata::sampleEndpoints());
    QSortFilterProxyModel sorted;
    sorted.setSourceModel(&model);
    sorted.setSortRole(EndpointTableModel::SortRole);
    sorted.sort(EndpointTableModel::State, Qt::AscendingOrder);
    QCOMPARE(sorted.index(0, EndpointTableModel::Name).data().toString(), QStringLiteral("proxy3"));
    QCOMPARE(sorted.index(1, EndpointTableModel::Name).data().toString(), QStringLiteral("proxy2"));
    sorted.sort(EndpointTableModel::Latency, Qt::DescendingOrder);
    QCOMPARE(sorted.index(0, EndpointTableModel::Name).data().toString(), QStringLiteral("proxy2"));
}

void TestEndpointTableModel::followsMonitor()
{
    // Without targets the monitor probes nothing: this checks the wiring, not the probing.
    HealthMonitor monitor;
    EndpointTableModel model(&monitor);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    Q_EMIT monitor.changed();
    QCOMPARE(model.rowCount(), int(monitor.endpoints().size()));
}

QTEST_MAIN(TestEndpointTableModel)
#include "tst_endpointtablemodel.moc"
