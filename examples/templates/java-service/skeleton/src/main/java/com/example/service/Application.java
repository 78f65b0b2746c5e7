package com.example.service;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import sun.misc.Signal;

@SpringBootApplication
public class Application {

  public static void main(String[] args) {
    ConfigurableApplicationContext context = SpringApplication.run(Application.class, args);
    // Kubernetes stops a pod with SIGTERM. The JVM's own handler would run the shutdown hooks and
    // exit with 143; this one closes the context (graceful: open requests finish, bounded by
    // spring.lifecycle.timeout-per-shutdown-phase) and exits with its exit code, 0.
    Signal.handle(new Signal("TERM"), signal -> System.exit(SpringApplication.exit(context)));
  }
}
