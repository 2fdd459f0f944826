package io.ccf.ar.runtime.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CronParserTest {
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    // robfig parser_test.go TestAll: the bits of every field's full range (+ the star bit)
    private static final long ALL_SECONDS = 0xfffffffffffffffL | SpecSchedule.STAR_BIT;
    private static final long ALL_HOURS = 0xffffffL | SpecSchedule.STAR_BIT;
    private static final long ALL_DAYS = 0xfffffffeL | SpecSchedule.STAR_BIT;
    private static final long ALL_MONTHS = 0x1ffeL | SpecSchedule.STAR_BIT;
    private static final long ALL_WEEKDAYS = 0x7fL | SpecSchedule.STAR_BIT;

    /**
     * Every expression here is rejected by robfig/cron v3.0.1 too (checked against it); the rows marked
     * {@code robfig} are robfig's own error cases (spec_test.go TestErrors / TestSlash0NoHang, parser_test.go
     * TestParseScheduleErrors). The whole problem text is compared, so each names the field and the value.
     */
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            # the example from the brief
            */5 * * * 99 *              | month field: value 99 out of range 1-12
            # robfig TestErrors
            xyz                         | expected 5 to 6 fields, found 1: [xyz] (fields: [second] minute hour day-of-month month day-of-week)
            60 0 * * *                  | minute field: value 60 out of range 0-59
            0 60 * * *                  | hour field: value 60 out of range 0-23
            0 0 * * XYZ                 | day-of-week field: "XYZ" is not a number or a name (SUN-SAT)
            TZ=Bogus * * * * *          | unknown time zone "Bogus" after TZ= (use an IANA name such as America/New_York, or UTC)
            0-0-0 * * * *               | minute field: too many '-' in "0-0-0"
            */5/5 * * * *               | minute field: too many '/' in "*/5/5"
            * * * 0-5 * *               | day-of-month field: value 0 out of range 1-31 in "0-5"
            59-2 * * * *                | minute field: range start 59 is after range end 2 in "59-2"
            # robfig TestSlash0NoHang
            TZ=America/New_York 15/0 * * * * | minute field: step must be at least 1 in "15/0"
            # robfig TestParseScheduleErrors
            * 5 j * * *                 | hour field: "j" is not a number
            @every Xm                   | @every: invalid duration "Xm": expected a number at "Xm"
            @unrecognized               | unrecognized descriptor "@unrecognized" (use @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or @every <duration>)
            * * * *                     | expected 5 to 6 fields, found 4: [* * * *] (fields: [second] minute hour day-of-month month day-of-week)
            ''                          | the expression is empty
            # each field's bounds; day-of-week stops at 6 (robfig does not take 7 for Sunday)
            60 * * * * *                | second field: value 60 out of range 0-59
            0 0 24 * * *                | hour field: value 24 out of range 0-23
            0 0 0 32 * *                | day-of-month field: value 32 out of range 1-31
            0 0 0 0 * *                 | day-of-month field: value 0 out of range 1-31
            0 0 0 * 0 *                 | month field: value 0 out of range 1-12
            0 0 0 * 1-13 *              | month field: value 13 out of range 1-12 in "1-13"
            0 0 0 * * 7                 | day-of-week field: value 7 out of range 0-6
            0 0 0 * * 1-7               | day-of-week field: value 7 out of range 0-6 in "1-7"
            0 0 0 * * 5,SUN,8           | day-of-week field: value 8 out of range 0-6
            60/5 * * * * *              | second field: value 60 out of range 0-59 in "60/5"
            # names, numbers, steps
            0 0 0 * JANUARY *           | month field: "JANUARY" is not a number or a name (JAN-DEC)
            0 0 0 * DEC-JAN *           | month field: range start 12 is after range end 1 in "DEC-JAN"
            0 0 0 MON * *               | day-of-month field: "MON" is not a number
            0 1.5 * * * *               | minute field: "1.5" is not a number
            */-12 * * * * *             | second field: step -12 must not be negative in "*/-12"
            */x * * * * *               | second field: step "x" is not a number in "*/x"
            0 5- * * * *                | minute field: missing value in "5-"
            0 -5 * * * *                | minute field: missing value in "-5"
            0 */ * * * *                | minute field: missing step in "*/"
            0 99999999999999999999 * * * * | minute field: value 99999999999999999999 is too large
            # field count, descriptors, time zones
            * * * * * * *               | expected 5 to 6 fields, found 7: [* * * * * * *] (fields: [second] minute hour day-of-month month day-of-week)
            ' @daily'                   | expected 5 to 6 fields, found 1: [@daily] (fields: [second] minute hour day-of-month month day-of-week)
            '@daily '                   | unrecognized descriptor "@daily " (use @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or @every <duration>)
            @Daily                      | unrecognized descriptor "@Daily" (use @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or @every <duration>)
            @every 5                    | @every: invalid duration "5": missing unit (use ns, us, µs, ms, s, m or h)
            @every 1d                   | @every: invalid duration "1d": unknown unit "d" (use ns, us, µs, ms, s, m or h)
            @every  5m                  | @every: invalid duration " 5m": expected a number at " 5m"
            CRON_TZ=america/new_york 0 0 * * * | unknown time zone "america/new_york" after CRON_TZ= (use an IANA name such as America/New_York, or UTC)
            CRON_TZ=+02:00 0 0 * * *    | unknown time zone "+02:00" after CRON_TZ= (use an IANA name such as America/New_York, or UTC)
            'CRON_TZ=UTC '              | expected 5 to 6 fields, found 0: [] (fields: [second] minute hour day-of-month month day-of-week)
            # robfig panics on this one (no space after the zone); we reject it
            CRON_TZ=Europe/Paris        | CRON_TZ= must be followed by a time zone, a space and the schedule, e.g. "CRON_TZ=Europe/Berlin 0 30 9 * * MON-FRI"
            """)
    void rejectsWhatRobfigRejects(String expression, String problem) {
        CronParseException e = assertThrows(CronParseException.class, () -> CronParser.parse(expression, NEW_YORK));
        assertEquals(problem, e.problem());
        assertEquals("invalid cron expression \"" + expression + "\": " + problem, e.getMessage());
        assertEquals(expression, e.expression());
        assertInstanceOf(IllegalArgumentException.class, e);
    }

    // --- robfig parser_test.go TestParseSchedule / TestOptionalSecondSchedule: the parsed bits -----------------

    @ParameterizedTest
    @ValueSource(strings = {"0 5 * * * *", "5 * * * *", "0 5 * * * ?", "0\t5  *\u00a0* *\n*"})
    void everyHourAtMinute5(String expression) {
        assertBits(CronParser.parse(expression, NEW_YORK), 1L, 1L << 5, ALL_HOURS, ALL_DAYS, ALL_MONTHS, ALL_WEEKDAYS);
    }

    @Test
    void sixFieldsKeepTheSecondsField() {
        assertBits(CronParser.parse("5 5 * * * *", NEW_YORK),
                1L << 5, 1L << 5, ALL_HOURS, ALL_DAYS, ALL_MONTHS, ALL_WEEKDAYS);
        assertBits(CronParser.parse("* 5 * * * *", NEW_YORK),
                ALL_SECONDS, 1L << 5, ALL_HOURS, ALL_DAYS, ALL_MONTHS, ALL_WEEKDAYS);
    }

    @Test
    void timeZonePrefixesChooseTheZone() {
        assertEquals(ZoneId.of("UTC"), CronParser.parse("CRON_TZ=UTC  0 5 * * * *", NEW_YORK).zone());
        assertEquals(ZoneId.of("UTC"), CronParser.parse("CRON_TZ=UTC  5 * * * *", NEW_YORK).zone());
        assertEquals(ZoneId.of("Asia/Tokyo"), CronParser.parse("CRON_TZ=Asia/Tokyo 0 5 * * * *", NEW_YORK).zone());
        assertEquals(ZoneId.of("Asia/Tokyo"), CronParser.parse("TZ=Asia/Tokyo @midnight", NEW_YORK).zone());
        assertEquals(ZoneId.of("UTC"), CronParser.parse("TZ= 0 0 * * *", NEW_YORK).zone()); // Go: "" is UTC
        assertEquals(NEW_YORK, CronParser.parse("TZ=Local 0 0 * * *", NEW_YORK).zone());
        assertEquals(NEW_YORK, CronParser.parse("0 5 * * * *", NEW_YORK).zone());
        assertBits(CronParser.parse("CRON_TZ=Asia/Tokyo 0 5 * * * *", NEW_YORK),
                1L, 1L << 5, ALL_HOURS, ALL_DAYS, ALL_MONTHS, ALL_WEEKDAYS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"@midnight", "@daily", "TZ=UTC  @midnight", "TZ=Asia/Tokyo @midnight"})
    void midnight(String expression) {
        assertBits(CronParser.parse(expression, NEW_YORK), 1L, 1L, 1L, ALL_DAYS, ALL_MONTHS, ALL_WEEKDAYS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"@yearly", "@annually"})
    void annual(String expression) {
        assertBits(CronParser.parse(expression, NEW_YORK), 1L, 1L, 1L, 1L << 1, 1L << 1, ALL_WEEKDAYS);
    }

    @Test
    void otherDescriptors() {
        assertBits(CronParser.parse("@monthly", NEW_YORK), 1L, 1L, 1L, 1L << 1, ALL_MONTHS, ALL_WEEKDAYS);
        assertBits(CronParser.parse("@weekly", NEW_YORK), 1L, 1L, 1L, ALL_DAYS, ALL_MONTHS, 1L);
        assertBits(CronParser.parse("@hourly", NEW_YORK), 1L, 1L, ALL_HOURS, ALL_DAYS, ALL_MONTHS, ALL_WEEKDAYS);
    }

    @Test
    void everyIsAConstantDelayInWholeSeconds() {
        assertEquals(Duration.ofMinutes(5), delayOf("@every 5m"));
        assertEquals(Duration.ofSeconds(90), delayOf("@every 1m30s"));
        assertEquals(Duration.ofMinutes(90), delayOf("@every 1.5h"));
        assertEquals(Duration.ofSeconds(1), delayOf("@every 500ms")); // below 1s: rounded up to 1s
        assertEquals(Duration.ofSeconds(1), delayOf("@every 0"));
        assertEquals(Duration.ofSeconds(1), delayOf("@every -5m"));
        assertEquals(Duration.ofSeconds(2), delayOf("@every 2.999999999s")); // fraction dropped, not rounded
        assertEquals(Duration.ofSeconds(60), delayOf("CRON_TZ=Asia/Tokyo @every 1m"));
    }

    // --- robfig parser_test.go TestRange / TestField, through real fields ---------------------------------------

    @ParameterizedTest(name = "[{index}] second field {0}")
    @CsvSource(delimiter = '|', textBlock = """
            5         | 0x20
            0         | 0x1
            5-5       | 0x20
            5-6       | 0x60
            5-7       | 0xe0
            5-6/2     | 0x20
            5-7/2     | 0xa0
            5-7/1     | 0xe0
            1,5-7/2,3 | 0xaa
            5,6,7     | 0xe0
            57/1      | 0xe00000000000000
            55/2      | 0xa80000000000000
            ,5,,6,    | 0x60
            +5        | 0x20
            05        | 0x20
            """)
    void secondFieldBits(String field, String hexBits) {
        long expected = Long.parseUnsignedLong(hexBits.substring(2), 16);
        assertEquals(expected, bits(field + " * * * * *", CronField.SECOND));
    }

    @Test
    void starBitOnlyForStarQuestionMarkAndStepOne() {
        long evenHours = 0x555555L;
        assertEquals(evenHours, bits("0 0 */2 * * *", CronField.HOUR)); // step > 1: no star bit
        assertEquals(ALL_HOURS, bits("0 0 */1 * * *", CronField.HOUR));
        assertEquals(ALL_HOURS, bits("0 0 ? * * *", CronField.HOUR));
        assertEquals(ALL_HOURS, bits("0 0 *-5 * * *", CronField.HOUR)); // robfig ignores what follows "*-"
        assertEquals(0xffffffL, bits("0 0 0-23 * * *", CronField.HOUR)); // a full range is not a star
    }

    @Test
    void namesAreCaseInsensitiveAndWorkInRangesAndSteps() {
        assertEquals(1L << 1 | 1L << 7, bits("0 0 0 * jAn,JUL *", CronField.MONTH));
        assertEquals(0b111110L, bits("0 0 0 * * mon-FRI", CronField.DAY_OF_WEEK));
        assertEquals(1L << 1 | 1L << 3 | 1L << 5 | 1L << 7 | 1L << 9 | 1L << 11, bits("0 0 0 * jan/2 *", CronField.MONTH));
        assertEquals(1L, bits("0 0 0 * * Sun", CronField.DAY_OF_WEEK));
        assertEquals(1L << 6, bits("0 0 0 * * SAT", CronField.DAY_OF_WEEK));
    }

    @Test
    void expressionIsKeptAsGiven() {
        String expression = "CRON_TZ=Asia/Tokyo  0 5 * * * ?";
        assertEquals(expression, CronParser.parse(expression, NEW_YORK).expression());
        assertEquals("@every 1m30s", CronParser.parse("@every 1m30s", ZoneOffset.UTC).expression());
    }

    private static Duration delayOf(String expression) {
        return ((ConstantDelaySchedule) CronParser.parse(expression, NEW_YORK)).delay();
    }

    private static long bits(String expression, CronField field) {
        return ((SpecSchedule) CronParser.parse(expression, NEW_YORK)).bits(field);
    }

    private static void assertBits(CronSchedule schedule, long second, long minute, long hour,
                                   long dayOfMonth, long month, long dayOfWeek) {
        SpecSchedule spec = assertInstanceOf(SpecSchedule.class, schedule);
        assertEquals(second, spec.bits(CronField.SECOND), "second");
        assertEquals(minute, spec.bits(CronField.MINUTE), "minute");
        assertEquals(hour, spec.bits(CronField.HOUR), "hour");
        assertEquals(dayOfMonth, spec.bits(CronField.DAY_OF_MONTH), "day-of-month");
        assertEquals(month, spec.bits(CronField.MONTH), "month");
        assertEquals(dayOfWeek, spec.bits(CronField.DAY_OF_WEEK), "day-of-week");
    }
}
