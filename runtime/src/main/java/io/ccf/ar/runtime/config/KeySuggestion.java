package io.ccf.ar.runtime.config;

import java.util.List;

/** Finds the allowed key a misspelt one was probably meant to be ("schedules" -> "schedule"). */
final class KeySuggestion {
    private static final int MAX_EDITS = 2;

    private KeySuggestion() {
    }

    /** The closest allowed key within two edits (ignoring case), or null if none is that close. */
    static String closest(String key, List<String> allowedKeys) {
        String best = null;
        int bestDistance = MAX_EDITS + 1;
        for (String candidate : allowedKeys) {
            int d = distance(key.toLowerCase(), candidate.toLowerCase());
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Levenshtein distance; keys are short, so the quadratic table is fine. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
