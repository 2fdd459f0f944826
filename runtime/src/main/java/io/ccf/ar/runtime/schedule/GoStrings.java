package io.ccf.ar.runtime.schedule;

import java.util.ArrayList;
import java.util.List;

/** Go's {@code strings.Fields} and {@code strings.TrimSpace}, whose idea of whitespace is Go's {@code unicode.IsSpace}. */
final class GoStrings {
    private GoStrings() {
    }

    /** Go's {@code unicode.IsSpace}: the Unicode White_Space property (not Java's {@code Character.isWhitespace}). */
    static boolean isSpace(int c) {
        switch (c) {
            case '\t': case '\n': case 0x0B: case '\f': case '\r': case ' ': case 0x85: case 0xA0:
            case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
                return true;
            default:
                return c >= 0x2000 && c <= 0x200A;
        }
    }

    /** Go's {@code strings.Fields}: the non-empty runs between whitespace. */
    static List<String> fields(String s) {
        List<String> fields = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            if (isSpace(c)) {
                if (start >= 0) {
                    fields.add(s.substring(start, i));
                    start = -1;
                }
            } else if (start < 0) {
                start = i;
            }
            i += Character.charCount(c);
        }
        if (start >= 0) {
            fields.add(s.substring(start));
        }
        return fields;
    }

    /** Go's {@code strings.TrimSpace}. */
    static String trimSpace(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isSpace(s.codePointAt(start))) {
            start += Character.charCount(s.codePointAt(start));
        }
        while (end > start && isSpace(s.codePointBefore(end))) {
            end -= Character.charCount(s.codePointBefore(end));
        }
        return s.substring(start, end);
    }

    /** A string list as Go's {@code fmt} prints it with {@code %s}: {@code [a b c]}. */
    static String formatList(List<String> items) {
        return "[" + String.join(" ", items) + "]";
    }
}
