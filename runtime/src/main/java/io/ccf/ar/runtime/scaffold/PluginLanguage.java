package io.ccf.ar.runtime.scaffold;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What {@code ar new-plugin --lang} writes: a Maven project on the Java SDK, or a Go go-plugin project. */
public enum PluginLanguage {
    JAVA("java"),
    GO("go");

    private final String id;

    PluginLanguage(String id) {
        this.id = id;
    }

    /** As written on the command line, and the template directory's name. */
    public String id() {
        return id;
    }

    /** {@code java} or {@code go} (any case); anything else names the choices. */
    public static PluginLanguage parse(String value) {
        String wanted = value.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(l -> l.id.equals(wanted)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown language '" + value + "': use one of "
                        + Arrays.stream(values()).map(PluginLanguage::id).collect(Collectors.joining(", "))));
    }
}
