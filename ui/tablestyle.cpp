#include "tablestyle.h"

#include <QHeaderView>
#include <QTableView>

namespace headroom::tablestyle {

void apply(QTableView *table)
{
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setAlternatingRowColors(true);
    table->setShowGrid(false);
    table->setWordWrap(false);
    table->setTextElideMode(Qt::ElideRight);
    table->setFrameShape(QFrame::NoFrame);
    table->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    table->verticalHeader()->hide();
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 14);
    QHeaderView *header = table->horizontalHeader();
    header->setHighlightSections(false);
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    header->setStretchLastSection(true);
    header->setMinimumSectionSize(40);
}

void sizeColumns(QTableView *table, const QList<std::pair<int, const char *>> &samples)
{
    const QFontMetrics metrics = table->fontMetrics();
    for (const auto &[column, sample] : samples)
        table->horizontalHeader()->resizeSection(
            column, metrics.horizontalAdvance(QLatin1String(sample)) + 24);
}

void stretchColumn(QTableView *table, int column)
{
    QHeaderView *header = table->horizontalHeader();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(column, QHeaderView::Stretch);
}

} // namespace headroom::tablestyle
