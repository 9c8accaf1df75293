#pragma once

#include "billing/invoice.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

namespace headroom {

// The invoices and credit notes of a period: number (or "draft"), purchaser, period, state in
// its colour, and the amounts with their currency, formatted from integer minor units.
class InvoiceTableModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Number,
        Purchaser,
        Period,
        State,
        Subtotal,
        Tax,
        Total,
        Issued,
        ColumnCount
    };
    static constexpr int InvoiceIdRole = Qt::UserRole + 1;
    static constexpr int SortRole = Qt::UserRole + 2;

    explicit InvoiceTableModel(QObject *parent = nullptr);

    // `purchaserNames` by id; an issued document falls back to the buyer it copied.
    void setInvoices(const QList<Invoice> &invoices, const QHash<qint64, QString> &purchaserNames);
    QList<Invoice> invoices() const { return m_invoices; }
    int rowOf(qint64 invoiceId) const;
    QString purchaserName(const Invoice &invoice) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QVariant display(const Invoice &invoice, int column) const;
    QVariant sortKey(const Invoice &invoice, int column) const;

    QList<Invoice> m_invoices;
    QHash<qint64, QString> m_names;
};

} // namespace headroom
