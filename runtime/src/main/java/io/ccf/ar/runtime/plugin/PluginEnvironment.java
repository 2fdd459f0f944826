package io.ccf.ar.runtime.plugin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Which environment variables of the runtime a plugin process gets ({@code pluginHost.environment}).
 *
 * <p>go-plugin hands a plugin the host's whole environment, and so does {@link #INHERIT_ALL}, the
 * default: then every secret in the daemon's environment (registry or NATS credentials, cloud keys)
 * reaches every plugin. {@code inherit} as a list is an allow-list: exact names, or prefixes written
 * {@code NAME_*}; {@code none} passes nothing. {@code set} adds fixed variables to every plugin, and
 * {@code packages} adds, per package name, more names to inherit and more variables to set. The
 * go-plugin protocol's own variables (the magic cookie, {@code PLUGIN_*}, {@code TMPDIR}) are set by
 * the host after this and always reach the plugin.
 *
 * @param inheritAll pass every variable of the runtime (then {@code inherit} is ignored)
 * @param inherit    names or {@code PREFIX*} patterns passed when not inheritAll
 * @param set        fixed variables for every plugin
 * @param packages   per package name: extra names/prefixes to inherit and variables to set
 */
public record PluginEnvironment(boolean inheritAll, List<String> inherit, Map<String, String> set,
                                Map<String, PackageExtras> packages) {

    /** go-plugin's behaviour and the default: the plugin sees everything the runtime sees. */
    public static final PluginEnvironment INHERIT_ALL = new PluginEnvironment(true, List.of(), Map.of(), Map.of());
    /** Nothing from the runtime; only the protocol's variables (and whatever {@code set} adds). */
    public static final PluginEnvironment INHERIT_NONE = new PluginEnvironment(false, List.of(), Map.of(), Map.of());

    /** What one package gets on top of the global settings. */
    public record PackageExtras(List<String> inherit, Map<String, String> set) {
        public PackageExtras {
            inherit = List.copyOf(inherit);
            set = Map.copyOf(set);
        }
    }

    public PluginEnvironment {
        inherit = List.copyOf(inherit);
        set = Map.copyOf(set);
        packages = Map.copyOf(packages);
        for (String pattern : inherit) {
            checkPattern(pattern);
        }
        for (PackageExtras extras : packages.values()) {
            extras.inherit().forEach(PluginEnvironment::checkPattern);
        }
    }

    private static void checkPattern(String pattern) {
        Objects.requireNonNull(pattern, "inherit pattern");
        int star = pattern.indexOf('*');
        if (pattern.isEmpty() || pattern.equals("*") || (star >= 0 && star != pattern.length() - 1)) {
            throw new IllegalArgumentException("environment inherit entry \"" + pattern
                    + "\" must be a variable name or a prefix ending in * (use inherit: all for everything)");
        }
    }

    /**
     * The environment of a child of package {@code packageName}, before the protocol's variables.
     *
     * @param runtimeEnv the runtime's own environment (System.getenv())
     */
    public Map<String, String> resolve(String packageName, Map<String, String> runtimeEnv) {
        PackageExtras extras = packages.get(packageName);
        Map<String, String> env = new TreeMap<>();
        if (inheritAll) {
            env.putAll(runtimeEnv);
        } else {
            for (Map.Entry<String, String> e : runtimeEnv.entrySet()) {
                if (matches(inherit, e.getKey()) || (extras != null && matches(extras.inherit(), e.getKey()))) {
                    env.put(e.getKey(), e.getValue());
                }
            }
        }
        env.putAll(set);
        if (extras != null) {
            env.putAll(extras.set());
        }
        return new LinkedHashMap<>(env);
    }

    private static boolean matches(List<String> patterns, String name) {
        for (String p : patterns) {
            if (p.endsWith("*") ? name.startsWith(p.substring(0, p.length() - 1)) : name.equals(p)) {
                return true;
            }
        }
        return false;
    }
}
