package io.ccf.ar.runtime.app;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import io.ccf.ar.runtime.config.RuntimeConfig;

/**
 * Which settings of a re-read config.yml differ from the running ones and only take effect at start
 * (listen addresses, the NATS URL and its credentials, directories, the plugin host, ...): every part
 * of {@link RuntimeConfig} except the plugins, which a reload applies. Read off the record itself, so a
 * setting added later is covered without a list to keep.
 */
final class RestartSettings {
    /** Applied live by a reload; the config file's own path is where it was read from. */
    private static final Set<String> LIVE = Set.of("plugins", "configFile");

    private RestartSettings() {
    }

    /** The names of the top-level settings that differ, in declaration order. */
    static List<String> changed(RuntimeConfig running, RuntimeConfig next) {
        List<String> changed = new ArrayList<>();
        for (RecordComponent component : RuntimeConfig.class.getRecordComponents()) {
            if (LIVE.contains(component.getName())) {
                continue;
            }
            if (!Objects.equals(value(component, running), value(component, next))) {
                changed.add(component.getName());
            }
        }
        return changed;
    }

    private static Object value(RecordComponent component, RuntimeConfig config) {
        try {
            return component.getAccessor().invoke(config);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read setting " + component.getName(), e);
        }
    }
}
