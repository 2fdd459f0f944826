package io.ccf.ar.runtime.scaffold;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${key}} with its value for the keys given and leaves every other {@code ${...}} alone, so
 * templates may hold Maven properties ({@code ${ar.sdk.version}}) and shell expansions ({@code ${PKG%%:*}}).
 */
final class TemplateText {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z][A-Za-z0-9]*)}");

    private TemplateText() {
    }

    static String render(String template, Map<String, String> values) {
        Matcher m = VARIABLE.matcher(template);
        StringBuilder out = new StringBuilder(template.length());
        while (m.find()) {
            String value = values.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(value != null ? value : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }
}
