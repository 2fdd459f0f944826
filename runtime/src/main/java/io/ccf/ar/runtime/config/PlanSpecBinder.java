package io.ccf.ar.runtime.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Binds and validates a plan document. Key names are the original runtime's (kebab-case) so its
 * plan files load unchanged.
 */
final class PlanSpecBinder {
    static final List<String> PLAN_KEYS =
            List.of("id", "title", "assessment-plan-id", "component-id", "control-id", "tasks");
    static final List<String> TASK_KEYS = List.of("id", "title", "schedule", "activities");
    static final List<String> ACTIVITY_KEYS = List.of("id", "title", "selector", "provider");
    static final List<String> SELECTOR_KEYS = List.of("title", "description", "query", "labels", "expressions", "ids");
    static final List<String> EXPRESSION_KEYS = List.of("key", "operator", "values");
    static final List<String> PROVIDER_KEYS = List.of("name", "package", "version", "configuration");

    /** A plan plus where its id is written, for cross-file duplicate reports. */
    record BoundPlan(PlanSpec plan, Position idPosition) {
    }

    private PlanSpecBinder() {
    }

    /** Reads one plan file; throws with every problem found. */
    static BoundPlan readFile(Path file) {
        ProblemCollector problems = new ProblemCollector(file.toString());
        ConfigNode root = YamlTreeReader.read(file, problems);
        if (root == null) {
            problems.throwIfAny();
        }
        BoundPlan bound = bind(root, problems);
        problems.throwIfAny();
        return bound;
    }

    /** Always returns a plan; it is only meaningful when {@code problems} stayed empty. */
    static BoundPlan bind(ConfigNode root, ProblemCollector problems) {
        MappingReader m = MappingReader.of(root, "", PLAN_KEYS, problems);
        String id = m.requiredString("id");
        List<ConfigNode> taskNodes = m.list("tasks");
        List<TaskSpec> tasks = new ArrayList<>();
        UniqueIds taskIds = new UniqueIds("task id", problems);
        for (int i = 0; i < taskNodes.size(); i++) {
            MappingReader t = MappingReader.of(taskNodes.get(i), m.path("tasks") + "[" + i + "]", TASK_KEYS, problems);
            TaskSpec task = task(t);
            taskIds.check(task.id(), t);
            tasks.add(task);
        }
        PlanSpec plan = new PlanSpec(id, m.string("title", ""), m.string("assessment-plan-id", ""),
                m.string("component-id", ""), m.string("control-id", ""), tasks, problems.source());
        return new BoundPlan(plan, m.positionOf("id"));
    }

    private static TaskSpec task(MappingReader t) {
        String id = t.requiredString("id");
        String schedule = t.requiredString("schedule");
        FieldChecks.cronSchedule(t, "schedule", schedule);
        List<ConfigNode> activityNodes = t.list("activities");
        List<ActivitySpec> activities = new ArrayList<>();
        UniqueIds activityIds = new UniqueIds("activity id", t.problems());
        for (int i = 0; i < activityNodes.size(); i++) {
            MappingReader a = MappingReader.of(activityNodes.get(i), t.path("activities") + "[" + i + "]",
                    ACTIVITY_KEYS, t.problems());
            ActivitySpec activity = activity(a);
            activityIds.check(activity.id(), a);
            activities.add(activity);
        }
        return new TaskSpec(id, t.string("title", ""), schedule, activities);
    }

    private static ActivitySpec activity(MappingReader a) {
        String id = a.requiredString("id");
        SelectorSpec selector = selector(a.child("selector", SELECTOR_KEYS));
        ProviderSpec provider;
        if (a.has("provider")) {
            provider = provider(a.child("provider", PROVIDER_KEYS));
        } else {
            a.problems().add(a.position(), a.path("provider"), "is required (name, package and version of the plugin)");
            provider = new ProviderSpec("", "", "", Map.of());
        }
        return new ActivitySpec(id, a.string("title", ""), selector, provider);
    }

    private static SelectorSpec selector(MappingReader s) {
        List<ConfigNode> expressionNodes = s.list("expressions");
        List<ExpressionSpec> expressions = new ArrayList<>();
        for (int i = 0; i < expressionNodes.size(); i++) {
            MappingReader e = MappingReader.of(expressionNodes.get(i), s.path("expressions") + "[" + i + "]",
                    EXPRESSION_KEYS, s.problems());
            expressions.add(new ExpressionSpec(e.string("key", ""), e.string("operator", ""), e.stringList("values")));
        }
        return new SelectorSpec(s.string("title", ""), s.string("description", ""), s.string("query", ""),
                s.stringMap("labels"), expressions, s.stringList("ids"));
    }

    private static ProviderSpec provider(MappingReader p) {
        String name = p.requiredString("name");
        String packageName = p.requiredString("package");
        FieldChecks.plainName(p, "package", packageName);
        String version = p.requiredString("version");
        FieldChecks.versionRequirement(p, "version", version);
        return new ProviderSpec(name, packageName, version, p.stringMap("configuration"));
    }

    /** Reports an id seen before among its siblings, naming where the first one is. */
    private static final class UniqueIds {
        private final String what;
        private final ProblemCollector problems;
        private final Map<String, MappingReader> seen = new HashMap<>();

        UniqueIds(String what, ProblemCollector problems) {
            this.what = what;
            this.problems = problems;
        }

        void check(String id, MappingReader owner) {
            if (id.isBlank()) {
                return;
            }
            MappingReader first = seen.putIfAbsent(id, owner);
            if (first != null) {
                problems.add(owner.positionOf("id"), owner.path("id"), "duplicate " + what + " \"" + id
                        + "\" (also used by " + MappingReader.describeLocation(first.path(), first.positionOf("id")) + ")");
            }
        }
    }
}
