package io.ccf.ar.runtime.config;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Turns an already-decoded document (Map/List/String/Number/Boolean/null, as a JSON library
 * produces) into a {@link ConfigNode} tree without positions, so it gets the same validation as a file.
 */
final class ObjectTreeConverter {
    private ObjectTreeConverter() {
    }

    /**
     * @throws ConfigException naming {@code source} when the document has more than
     *                         {@link NodeBudget#MAX_NODES} values (a message of a megabyte can hold hundreds of thousands)
     */
    static ConfigNode convert(Object value, String source) {
        NodeBudget budget = NodeBudget.standard();
        try {
            return convert(value, budget);
        } catch (NodeBudget.Exceeded e) {
            throw new ConfigException(new ConfigProblem(source, 0, 0, "", budget.message(false)));
        }
    }

    private static ConfigNode convert(Object value, NodeBudget budget) {
        budget.spend(Position.UNKNOWN);
        if (value == null) {
            return new ConfigNode.Null(Position.UNKNOWN);
        }
        if (value instanceof Map<?, ?> map) {
            List<ConfigNode.Entry> entries = new ArrayList<>(map.size());
            for (Map.Entry<?, ?> e : map.entrySet()) {
                entries.add(new ConfigNode.Entry(String.valueOf(e.getKey()), Position.UNKNOWN, convert(e.getValue(), budget)));
            }
            return new ConfigNode.Mapping(entries, Position.UNKNOWN);
        }
        if (value instanceof Collection<?> collection) {
            List<ConfigNode> items = new ArrayList<>(collection.size());
            for (Object item : collection) {
                items.add(convert(item, budget));
            }
            return new ConfigNode.Sequence(items, Position.UNKNOWN);
        }
        if (value instanceof BigDecimal decimal) {
            return new ConfigNode.Scalar(decimal.toPlainString(), Position.UNKNOWN); // not 1E+3
        }
        return new ConfigNode.Scalar(value.toString(), Position.UNKNOWN);
    }
}
