#pragma once

#include <QWidget>

class QAbstractItemModel;
class QLabel;
class QStackedWidget;
class QTableView;

namespace headroom {

// A titled table inside a longer view: a bold title, a one-line caption, an error line that only
// appears when there is an error, and the table, sized to its rows (up to a maximum) so several
// sections stack without nested scroll bars. While the model is empty a placeholder sentence
// stands in for the table, saying why.
class TableSection final : public QWidget
{
    Q_OBJECT
public:
    TableSection(const QString &title, QAbstractItemModel *model, QWidget *parent = nullptr);

    QTableView *table() const { return m_table; }
    QString title() const;

    void setCaption(const QString &caption);
    QString caption() const;
    // Empty hides the error line.
    void setError(const QString &error);
    QString error() const;
    void setPlaceholder(const QString &text);
    QString placeholder() const;
    bool isShowingTable() const;

    void setMaximumVisibleRows(int rows);
    // Rows tall enough for `lines` lines of text; more than one wraps long cells (explanations).
    void setRowLines(int lines);

private:
    void fitToRows();

    QLabel *m_title = nullptr;
    QLabel *m_caption = nullptr;
    QLabel *m_error = nullptr;
    QLabel *m_placeholder = nullptr;
    QTableView *m_table = nullptr;
    QStackedWidget *m_content = nullptr;
    int m_maximumRows = 8;
};

} // namespace headroom
