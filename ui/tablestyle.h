#pragma once

#include <QList>
#include <utility>

class QTableView;

namespace headroom::tablestyle {

// The console's look for a read-only table of records: whole rows selected one at a time,
// alternating rows, no grid, elided cells, a left-aligned header whose last column stretches.
void apply(QTableView *table);
// Each column wide enough for its sample text (and the cell's padding).
void sizeColumns(QTableView *table, const QList<std::pair<int, const char *>> &samples);
// The column that takes what the others leave (instead of the last one).
void stretchColumn(QTableView *table, int column);

} // namespace headroom::tablestyle
