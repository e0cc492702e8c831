/* Runs every C test of the shim. usage: run-tests <build dir> */
#include <stdio.h>

#include "test_harness.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s <build dir>\n", argv[0]);
        return 2;
    }
    run_json_out_tests();
    run_redact_tests();
    run_event_clock_tests();
    run_event_file_tests();
    run_event_writer_tests();
    run_http_request_tests();
    run_preload_tests(argv[1]);
    return test_summary();
}
