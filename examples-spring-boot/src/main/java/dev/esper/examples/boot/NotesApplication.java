package dev.esper.examples.boot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A notes page in Spring Boot with esper: a note saved by one page appears on every open page, pushed by esper
 * once the transaction that saved it has committed. {@code mvn spring-boot:run} serves it on
 * {@code http://localhost:8080}.
 */
@SpringBootApplication
public class NotesApplication {
    /** Starts the application. */
    public static void main(String[] args) {
        SpringApplication.run(NotesApplication.class, args);
    }
}
