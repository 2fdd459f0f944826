package io.ccf.ar.runtime.plans;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import io.ccf.ar.runtime.config.ActivitySpec;
import io.ccf.ar.runtime.config.ExpressionSpec;
import io.ccf.ar.runtime.config.PlanSpec;
import io.ccf.ar.runtime.config.SelectorSpec;
import io.ccf.ar.runtime.config.TaskSpec;

/**
 * A plan as a plain document with the plan-file key names (the original runtime's JobSpec), for
 * YAML files and JSON messages. Field order and "omit when empty" follow the Go runtime's
 * marshalling: every field is written except the selector's empty ones. Map keys are sorted so
 * rewriting an unchanged plan gives the same bytes.
 */
public final class PlanDocument {
    private PlanDocument() {
    }

    public static Map<String, Object> toMap(PlanSpec plan) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("id", plan.id());
        doc.put("title", plan.title());
        doc.put("assessment-plan-id", plan.assessmentPlanId());
        doc.put("component-id", plan.componentId());
        doc.put("control-id", plan.controlId());
        List<Object> tasks = new ArrayList<>();
        for (TaskSpec task : plan.tasks()) {
            tasks.add(task(task));
        }
        doc.put("tasks", tasks);
        return doc;
    }

    /** Block-style YAML, readable and diffable; never folds long lines. */
    public static String toYaml(PlanSpec plan) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setIndicatorIndent(2);
        options.setIndentWithIndicator(true);
        options.setSplitLines(false);
        // control characters as "\x07" escapes: the default would turn such a string into !!binary
        options.setNonPrintableStyle(DumperOptions.NonPrintableStyle.ESCAPE);
        return new Yaml(options).dump(toMap(plan));
    }

    private static Map<String, Object> task(TaskSpec task) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("id", task.id());
        doc.put("title", task.title());
        doc.put("schedule", task.schedule());
        List<Object> activities = new ArrayList<>();
        for (ActivitySpec activity : task.activities()) {
            activities.add(activity(activity));
        }
        doc.put("activities", activities);
        return doc;
    }

    private static Map<String, Object> activity(ActivitySpec activity) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("id", activity.id());
        doc.put("title", activity.title());
        doc.put("selector", selector(activity.selector()));
        Map<String, Object> provider = new LinkedHashMap<>();
        provider.put("name", activity.provider().name());
        provider.put("package", activity.provider().packageName());
        provider.put("version", activity.provider().version());
        provider.put("configuration", new TreeMap<>(activity.provider().configuration()));
        doc.put("provider", provider);
        return doc;
    }

    private static Map<String, Object> selector(SelectorSpec selector) {
        Map<String, Object> doc = new LinkedHashMap<>();
        putIfNotEmpty(doc, "title", selector.title());
        putIfNotEmpty(doc, "description", selector.description());
        putIfNotEmpty(doc, "query", selector.query());
        if (!selector.labels().isEmpty()) {
            doc.put("labels", new TreeMap<>(selector.labels()));
        }
        if (!selector.expressions().isEmpty()) {
            List<Object> expressions = new ArrayList<>();
            for (ExpressionSpec e : selector.expressions()) {
                Map<String, Object> expression = new LinkedHashMap<>();
                expression.put("key", e.key());
                expression.put("operator", e.operator());
                expression.put("values", e.values());
                expressions.add(expression);
            }
            doc.put("expressions", expressions);
        }
        if (!selector.ids().isEmpty()) {
            doc.put("ids", selector.ids());
        }
        return doc;
    }

    private static void putIfNotEmpty(Map<String, Object> doc, String key, String value) {
        if (!value.isEmpty()) {
            doc.put(key, value);
        }
    }
}
