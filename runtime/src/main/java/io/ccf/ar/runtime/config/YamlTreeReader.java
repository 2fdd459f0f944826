package io.ccf.ar.runtime.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.reader.UnicodeReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Reads a YAML file into a {@link ConfigNode} tree. Uses snakeyaml's composer only (never its
 * reflective Constructor), so nothing in a file can instantiate classes and every value keeps its
 * line and column.
 */
final class YamlTreeReader {
    private final ProblemCollector problems;
    /** Nodes on the current descent path; an alias pointing back up would recurse forever. */
    private final Set<Node> descending = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Nodes converted so far: meeting one again means an alias, which the budget then counts again. */
    private final Set<Node> converted = Collections.newSetFromMap(new IdentityHashMap<>());
    private final NodeBudget budget;
    private boolean aliased;

    private YamlTreeReader(ProblemCollector problems, NodeBudget budget) {
        this.problems = problems;
        this.budget = budget;
    }

    /**
     * Returns the document tree ({@link ConfigNode.Null} for an empty file), or null when the
     * file cannot be read or is not valid YAML; the reason is then in {@code problems}.
     */
    static ConfigNode read(Path file, ProblemCollector problems) {
        Node root;
        try (InputStream in = Files.newInputStream(file); Reader reader = new UnicodeReader(in)) {
            LoaderOptions options = new LoaderOptions();
            Composer composer = new Composer(new ParserImpl(new StreamReader(reader), options), new Resolver(), options);
            root = composer.getSingleNode();
        } catch (NoSuchFileException e) {
            problems.add(Position.UNKNOWN, "", "file not found");
            return null;
        } catch (IOException e) {
            problems.add(Position.UNKNOWN, "", "cannot read file: " + e);
            return null;
        } catch (MarkedYAMLException e) {
            problems.add(position(e.getProblemMark()), "", syntaxMessage(e));
            return null;
        } catch (YAMLException e) {
            // e.g. a character YAML does not allow, or an undecodable byte: no line is known
            problems.add(Position.UNKNOWN, "", "not valid YAML: " + e.getMessage());
            return null;
        }
        return root == null ? new ConfigNode.Null(Position.UNKNOWN) : convertWithin(root, problems, NodeBudget.standard());
    }

    /** The tree, or null with the problem reported when it would pass the budget (an alias bomb). */
    static ConfigNode convertWithin(Node root, ProblemCollector problems, NodeBudget budget) {
        YamlTreeReader reader = new YamlTreeReader(problems, budget);
        try {
            return reader.convert(root);
        } catch (NodeBudget.Exceeded e) {
            problems.add(e.at, "", budget.message(reader.aliased));
            return null;
        }
    }

    static Position position(Mark mark) {
        return mark == null ? Position.UNKNOWN : new Position(mark.getLine() + 1, mark.getColumn() + 1);
    }

    /** snakeyaml's problem text, plus where the enclosing construct started when that is elsewhere. */
    private static String syntaxMessage(MarkedYAMLException e) {
        String problem = e.getProblem() != null ? e.getProblem() : String.valueOf(e.getContext());
        String context = e.getContext();
        if (context != null && e.getProblem() != null && problem.startsWith("but ")) {
            // the composer splits one sentence: "expected a single document in the stream" / "but found another document"
            return context + ", " + problem;
        }
        Mark contextMark = e.getContextMark();
        Mark at = e.getProblemMark();
        if (context != null && e.getProblem() != null && contextMark != null
                && (at == null || contextMark.getLine() != at.getLine())) {
            return problem + " (" + context + " started at line " + (contextMark.getLine() + 1) + ")";
        }
        return problem;
    }

    private ConfigNode convert(Node node) {
        Position at = position(node.getStartMark());
        budget.spend(at);
        if (!converted.add(node)) {
            aliased = true;
        }
        if (node instanceof ScalarNode scalar) {
            return Tag.NULL.equals(scalar.getTag()) ? new ConfigNode.Null(at) : new ConfigNode.Scalar(scalar.getValue(), at);
        }
        if (!descending.add(node)) {
            problems.add(at, "", "recursive alias: a value refers to itself");
            return new ConfigNode.Null(at);
        }
        try {
            if (node instanceof SequenceNode sequence) {
                List<ConfigNode> items = new ArrayList<>();
                for (Node item : sequence.getValue()) {
                    items.add(convert(item));
                }
                return new ConfigNode.Sequence(items, at);
            }
            MappingNode mapping = (MappingNode) node;
            List<ConfigNode.Entry> entries = new ArrayList<>();
            for (NodeTuple tuple : mapping.getValue()) {
                Node key = tuple.getKeyNode();
                Position keyAt = position(key.getStartMark());
                if (Tag.MERGE.equals(key.getTag())) {
                    problems.add(keyAt, "", "YAML merge keys (<<) are not supported; write the keys out");
                } else if (key instanceof ScalarNode scalarKey) {
                    entries.add(new ConfigNode.Entry(scalarKey.getValue(), keyAt, convert(tuple.getValueNode())));
                } else {
                    problems.add(keyAt, "", "mapping keys must be plain strings, found a "
                            + (key instanceof MappingNode ? "mapping" : "list"));
                }
            }
            return new ConfigNode.Mapping(entries, at);
        } finally {
            descending.remove(node);
        }
    }
}
