package io.vlitforge.shared.sql;

import io.smallrye.mutiny.Uni;
import java.util.List;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Multi-row inserts with numbered parameters. Consumers store a whole batch in a few statements: one
 * round trip per 500 rows instead of one per row is what lets a stage keep up with Kafka (single-row
 * inserts top out near 5k rows/s here, batches of 500 near 13k per connection). With
 * {@code ON CONFLICT DO NOTHING} and natural keys, a repeated batch changes nothing.
 */
public final class MultiRowInsert {

    /** Rows per statement; PostgreSQL allows 65535 parameters, and 500 rows keep statements small. */
    public static final int ROWS_PER_STATEMENT = 500;

    /** Binds one row's values starting at parameter {@code first}. */
    @FunctionalInterface
    public interface RowBinder<T> {
        void bind(T row, Mutiny.MutationQuery query, int first);
    }

    private MultiRowInsert() {
    }

    /**
     * Runs {@code head + VALUES (...), (...) + tail} in chunks on the caller's session (and so in its
     * transaction); the item is the number of rows inserted.
     */
    public static <T> Uni<Integer> insert(Mutiny.Session session, String head, String tail, int columns,
            List<T> rows, RowBinder<T> binder) {
        Uni<Integer> inserted = Uni.createFrom().item(0);
        for (int from = 0; from < rows.size(); from += ROWS_PER_STATEMENT) {
            List<T> chunk = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_STATEMENT));
            inserted = inserted.chain(before -> {
                Mutiny.MutationQuery query = session.createNativeQuery(head + values(chunk.size(), columns) + tail);
                int parameter = 1;
                for (T row : chunk) {
                    binder.bind(row, query, parameter);
                    parameter += columns;
                }
                return query.executeUpdate().map(count -> before + count);
            });
        }
        return inserted;
    }

    /** {@code (?1, ?2), (?3, ?4)} for 2 rows of 2 columns. */
    public static String values(int rows, int columns) {
        if (rows < 1 || columns < 1) {
            throw new IllegalArgumentException("need at least one row and one column");
        }
        StringBuilder sql = new StringBuilder(rows * columns * 5);
        int parameter = 1;
        for (int row = 0; row < rows; row++) {
            sql.append(row == 0 ? "(" : ", (");
            for (int column = 0; column < columns; column++) {
                sql.append(column == 0 ? "?" : ", ?").append(parameter++);
            }
            sql.append(')');
        }
        return sql.toString();
    }
}
