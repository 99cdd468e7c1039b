package dev.esper.spring.boot.zerocode;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A new Spring Boot application, as generated, with nothing of esper's in it: the starter does the rest. */
@SpringBootApplication
public class ZeroCodeApp {
    /** Starts the application. */
    public static void main(String[] args) {
        SpringApplication.run(ZeroCodeApp.class, args);
    }
}
