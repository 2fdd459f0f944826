package io.ccf.ar.runtime.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Cases from Go's time_test.go ({@code parseDurationTests}, {@code parseDurationErrorTests}), checked against Go 1.19. */
class GoDurationTest {

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            0                           | 0
            5s                          | 5000000000
            30s                         | 30000000000
            1478s                       | 1478000000000
            # sign
            -5s                         | -5000000000
            +5s                         | 5000000000
            -0                          | 0
            +0                          | 0
            # decimal
            5.0s                        | 5000000000
            5.6s                        | 5600000000
            5.s                         | 5000000000
            .5s                         | 500000000
            1.0s                        | 1000000000
            1.00s                       | 1000000000
            1.004s                      | 1004000000
            1.0040s                     | 1004000000
            100.00100s                  | 100001000000
            # units
            10ns                        | 10
            11us                        | 11000
            12µs                        | 12000
            12μs                        | 12000
            13ms                        | 13000000
            14s                         | 14000000000
            15m                         | 900000000000
            16h                         | 57600000000000
            # composite
            3h30m                       | 12600000000000
            1m30s                       | 90000000000
            1.5h                        | 5400000000000
            10.5s4m                     | 250500000000
            -2m3.4s                     | -123400000000
            1h2m3s4ms5us6ns             | 3723004005006
            39h9m14.425s                | 140954425000000
            52763797000ns               | 52763797000
            # more than 9 digits after the decimal point
            0.3333333333333333333h      | 1200000000000
            9007199254740993ns          | 9007199254740993
            # the int64 limits
            9223372036854775807ns       | 9223372036854775807
            9223372036854775.807us      | 9223372036854775807
            9223372036s854ms775us807ns  | 9223372036854775807
            -9223372036854775808ns      | -9223372036854775808
            -2562047h47m16.854775808s   | -9223372036854775808
            0.100000000000000000000h    | 360000000000
            0.830103483285477580700h    | 2988372539827
            """)
    void parsesLikeGo(String text, long nanos) {
        assertEquals(Duration.ofNanos(nanos), GoDuration.parse(text));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @CsvSource(delimiter = '|', textBlock = """
            ''                          | empty
            3                           | missing unit (use ns, us, µs, ms, s, m or h)
            00                          | missing unit (use ns, us, µs, ms, s, m or h)
            -                           | no number after the sign
            s                           | expected a number at "s"
            .                           | a '.' needs digits next to it
            -.                          | a '.' needs digits next to it
            .s                          | a '.' needs digits next to it
            +.s                         | a '.' needs digits next to it
            1d                          | unknown unit "d" (use ns, us, µs, ms, s, m or h)
            1H                          | unknown unit "H" (use ns, us, µs, ms, s, m or h)
            '1 h'                       | unknown unit " h" (use ns, us, µs, ms, s, m or h)
            '1h '                       | unknown unit "h " (use ns, us, µs, ms, s, m or h)
            1h-1m                       | unknown unit "h-" (use ns, us, µs, ms, s, m or h)
            9223372036854775808ns       | too large (the limit is 2562047h47m16.854775807s)
            9223372036854775810ns       | too large (the limit is 2562047h47m16.854775807s)
            9223372036854775.808us      | too large (the limit is 2562047h47m16.854775807s)
            9223372036s854ms775us808ns  | too large (the limit is 2562047h47m16.854775807s)
            2562048h                    | too large (the limit is 2562047h47m16.854775807s)
            99999999999999999999ns      | too large (the limit is 2562047h47m16.854775807s)
            """)
    void rejectsWhatGoRejects(String text, String problem) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GoDuration.parse(text));
        assertEquals("invalid duration \"" + text + "\": " + problem, e.getMessage());
    }
}
