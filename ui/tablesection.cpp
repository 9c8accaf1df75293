#include "tablesection.h"

#include "statuspresentation.h"

#include <QAbstractItemModel>
#include <QHeaderView>
#include <QLabel>
#include <QScrollBar>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace headroom {

TableSection::TableSection(const QString &title, QAbstractItemModel *model, QWidget *parent)
    : QWidget(parent), m_title(new QLabel(title, this)), m_caption(new QLabel(this)),
      m_error(new QLabel(this)), m_placeholder(new QLabel(this)), m_table(new QTableView(this)),
      m_content(new QStackedWidget(this))
{
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.1);
    m_title->setFont(titleFont);

    QPalette muted = m_caption->palette();
    muted.setColor(QPalette::WindowText, muted.color(QPalette::PlaceholderText));
    m_caption->setPalette(muted);
    m_caption->setWordWrap(true);
    m_caption->hide();

    m_error->setObjectName(QStringLiteral("sectionError"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette errorPalette = m_error->palette();
    errorPalette.setColor(QPalette::WindowText, presentation::color(HealthGrade::Down));
    m_error->setPalette(errorPalette);
    m_error->hide();

    m_placeholder->setObjectName(QStringLiteral("sectionPlaceholder"));
    // One line, lined up with the tables; it never makes the view wider.
    m_placeholder->setAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_placeholder->setMargin(9);
    m_placeholder->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    m_placeholder->setPalette(muted);
    m_placeholder->setFrameShape(QFrame::StyledPanel);

    m_table->setModel(model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setShowGrid(false);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_table->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 14);
    QHeaderView *header = m_table->horizontalHeader();
    header->setHighlightSections(false);
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    header->setStretchLastSection(true);
    header->setMinimumSectionSize(50);

    m_content->addWidget(m_placeholder);
    m_content->addWidget(m_table);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addWidget(m_title);
    layout->addWidget(m_caption);
    layout->addWidget(m_error);
    layout->addSpacing(2);
    layout->addWidget(m_content);

    connect(model, &QAbstractItemModel::modelReset, this, &TableSection::fitToRows);
    connect(model, &QAbstractItemModel::layoutChanged, this, &TableSection::fitToRows);
    connect(model, &QAbstractItemModel::rowsInserted, this, &TableSection::fitToRows);
    connect(model, &QAbstractItemModel::rowsRemoved, this, &TableSection::fitToRows);
    fitToRows();
}

QString TableSection::title() const
{
    return m_title->text();
}

void TableSection::setCaption(const QString &caption)
{
    m_caption->setText(caption);
    m_caption->setVisible(!caption.isEmpty());
}

QString TableSection::caption() const
{
    return m_caption->text();
}

void TableSection::setError(const QString &error)
{
    m_error->setText(error);
    m_error->setVisible(!error.isEmpty());
}

QString TableSection::error() const
{
    return m_error->text();
}

void TableSection::setPlaceholder(const QString &text)
{
    m_placeholder->setText(text);
    fitToRows();
}

QString TableSection::placeholder() const
{
    return m_placeholder->text();
}

bool TableSection::isShowingTable() const
{
    return m_content->currentWidget() == m_table;
}

void TableSection::setMaximumVisibleRows(int rows)
{
    m_maximumRows = qMax(1, rows);
    fitToRows();
}

void TableSection::setRowLines(int lines)
{
    lines = qMax(1, lines);
    const QFontMetrics metrics = m_table->fontMetrics();
    m_table->setWordWrap(lines > 1);
    m_table->verticalHeader()->setDefaultSectionSize(metrics.height() +
                                                     (lines - 1) * metrics.lineSpacing() + 14);
    fitToRows();
}

void TableSection::fitToRows()
{
    const int rows = m_table->model() ? m_table->model()->rowCount() : 0;
    m_content->setCurrentWidget(rows > 0 ? static_cast<QWidget *>(m_table) : m_placeholder);
    if (rows == 0) {
        m_content->setFixedHeight(m_placeholder->sizeHint().height());
        return;
    }
    const int shown = qMin(rows, m_maximumRows);
    const int height = m_table->horizontalHeader()->sizeHint().height() +
                       shown * m_table->verticalHeader()->defaultSectionSize() +
                       2 * m_table->frameWidth();
    m_content->setFixedHeight(height);
}

} // namespace headroom
