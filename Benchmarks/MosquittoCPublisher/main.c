/*
 * The C side of `mosquitto-benchmark`: publishes COUNT messages of SIZE bytes at QOS with
 * libmosquitto directly, with at most WINDOW unfinished at once, and a message counted as done in
 * on_publish (written for QoS 0, acknowledged for QoS 1/2). Two ways:
 *
 * - threads: libmosquitto's threaded use. One thread of its own runs mosquitto_loop(), publications
 *   come from another thread (the baseline of the benchmark).
 * - loop: one thread publishes and runs mosquitto_loop() in turn, with threading off, so that
 *   mosquitto_publish() writes to the socket at once. The fastest way the public API allows.
 *
 * Usage: mosquitto-c-publisher <port> <count> <size> <qos> <window> <max-inflight> [threads|loop]
 * Prints one JSON line: {"implementation":"c","qos":..,"messages":..,"seconds":..,"messages_per_second":..}
 */
#include <mosquitto.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct run {
    pthread_mutex_t mutex;
    pthread_cond_t changed;
    long completed;
    bool connected;
    bool stop;
};

static void on_connect(struct mosquitto *mosq, void *userdata, int rc) {
    (void)mosq;
    struct run *run = userdata;
    pthread_mutex_lock(&run->mutex);
    run->connected = (rc == 0);
    pthread_cond_broadcast(&run->changed);
    pthread_mutex_unlock(&run->mutex);
}

static void on_publish(struct mosquitto *mosq, void *userdata, int mid) {
    (void)mosq;
    (void)mid;
    struct run *run = userdata;
    pthread_mutex_lock(&run->mutex);
    run->completed++;
    pthread_cond_broadcast(&run->changed);
    pthread_mutex_unlock(&run->mutex);
}

struct loop_args {
    struct mosquitto *mosq;
    struct run *run;
};

/* Runs until the connection ends; after the DISCONNECT at the end that is the expected way out. */
static void *loop_thread(void *argument) {
    struct loop_args *args = argument;
    int rc;
    while ((rc = mosquitto_loop(args->mosq, 1000, 1)) == MOSQ_ERR_SUCCESS) {
    }
    pthread_mutex_lock(&args->run->mutex);
    bool stopping = args->run->stop;
    pthread_mutex_unlock(&args->run->mutex);
    if (!stopping) {
        fprintf(stderr, "mosquitto_loop: %s\n", mosquitto_strerror(rc));
        exit(1);
    }
    return NULL;
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_result(const char *implementation, int qos, long count, int size, double seconds) {
    printf("{\"implementation\":\"%s\",\"qos\":%d,\"messages\":%ld,\"payload_bytes\":%d,"
           "\"seconds\":%.6f,\"messages_per_second\":%.1f}\n",
           implementation, qos, count, size, seconds, (double)count / seconds);
}

/* The loop mode: the callbacks run inside mosquitto_loop() on this same thread. */
static int publish_from_loop_thread(struct mosquitto *mosq, struct run *run, long count, int size, int qos,
                                    long window, const char *payload) {
    int rc;
    while (!run->connected) {
        if ((rc = mosquitto_loop(mosq, 1000, 1)) != MOSQ_ERR_SUCCESS) {
            fprintf(stderr, "mosquitto_loop: %s\n", mosquitto_strerror(rc));
            return 1;
        }
    }
    double start = now_seconds();
    long sent = 0;
    while (run->completed < count) {
        while (sent < count && sent - run->completed < window) {
            rc = mosquitto_publish(mosq, NULL, "benchmark/c", size, payload, qos, false);
            if (rc != MOSQ_ERR_SUCCESS) {
                fprintf(stderr, "publish: %s\n", mosquitto_strerror(rc));
                return 1;
            }
            sent++;
        }
        if ((rc = mosquitto_loop(mosq, 1000, 1)) != MOSQ_ERR_SUCCESS) {
            fprintf(stderr, "mosquitto_loop: %s\n", mosquitto_strerror(rc));
            return 1;
        }
    }
    double seconds = now_seconds() - start;
    print_result("c-loop", qos, count, size, seconds);

    run->stop = true;
    mosquitto_disconnect(mosq);
    while (mosquitto_loop(mosq, 100, 1) == MOSQ_ERR_SUCCESS) {
    }
    mosquitto_destroy(mosq);
    mosquitto_lib_cleanup();
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 7 && argc != 8) {
        fprintf(stderr, "usage: %s <port> <count> <size> <qos> <window> <max-inflight> [threads|loop]\n", argv[0]);
        return 2;
    }
    bool single_thread = argc == 8 && strcmp(argv[7], "loop") == 0;
    if (argc == 8 && !single_thread && strcmp(argv[7], "threads") != 0) {
        fprintf(stderr, "%s: the mode is threads or loop, not '%s'\n", argv[0], argv[7]);
        return 2;
    }
    int port = atoi(argv[1]);
    long count = atol(argv[2]);
    int size = atoi(argv[3]);
    int qos = atoi(argv[4]);
    long window = atol(argv[5]);
    int max_inflight = atoi(argv[6]);

    mosquitto_lib_init();
    struct run run = {.completed = 0, .connected = false, .stop = false};
    pthread_mutex_init(&run.mutex, NULL);
    pthread_cond_init(&run.changed, NULL);

    struct mosquitto *mosq = mosquitto_new(NULL, true, &run);
    if (!mosq) return 1;
    mosquitto_threaded_set(mosq, !single_thread);
    mosquitto_int_option(mosq, MOSQ_OPT_SEND_MAXIMUM, max_inflight);
    mosquitto_int_option(mosq, MOSQ_OPT_TCP_NODELAY, 1);
    mosquitto_connect_callback_set(mosq, on_connect);
    mosquitto_publish_callback_set(mosq, on_publish);
    int rc = mosquitto_connect(mosq, "127.0.0.1", port, 60);
    if (rc != MOSQ_ERR_SUCCESS) {
        fprintf(stderr, "connect: %s\n", mosquitto_strerror(rc));
        return 1;
    }

    char *payload = malloc((size_t)size);
    memset(payload, 'x', (size_t)size);
    if (single_thread) {
        int status = publish_from_loop_thread(mosq, &run, count, size, qos, window, payload);
        free(payload);
        return status;
    }

    pthread_t thread;
    struct loop_args args = {mosq, &run};
    pthread_create(&thread, NULL, loop_thread, &args);

    pthread_mutex_lock(&run.mutex);
    while (!run.connected) pthread_cond_wait(&run.changed, &run.mutex);
    pthread_mutex_unlock(&run.mutex);

    double start = now_seconds();
    for (long sent = 0; sent < count; sent++) {
        pthread_mutex_lock(&run.mutex);
        while (sent - run.completed >= window) pthread_cond_wait(&run.changed, &run.mutex);
        pthread_mutex_unlock(&run.mutex);
        rc = mosquitto_publish(mosq, NULL, "benchmark/c", size, payload, qos, false);
        if (rc != MOSQ_ERR_SUCCESS) {
            fprintf(stderr, "publish: %s\n", mosquitto_strerror(rc));
            return 1;
        }
    }
    pthread_mutex_lock(&run.mutex);
    while (run.completed < count) pthread_cond_wait(&run.changed, &run.mutex);
    pthread_mutex_unlock(&run.mutex);
    double seconds = now_seconds() - start;

    print_result("c", qos, count, size, seconds);

    pthread_mutex_lock(&run.mutex);
    run.stop = true;
    pthread_mutex_unlock(&run.mutex);
    mosquitto_disconnect(mosq);
    pthread_join(thread, NULL);
    mosquitto_destroy(mosq);
    free(payload);
    mosquitto_lib_cleanup();
    return 0;
}
