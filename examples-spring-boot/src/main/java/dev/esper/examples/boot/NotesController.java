package dev.esper.examples.boot;

import dev.esper.config.EsperConfig;
import dev.esper.jwt.JwtMinter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** The page's API: the latest notes, saving one, and a token for the page's stream of new notes. */
@RestController
@RequestMapping("/api")
public class NotesController {
    private final NoteService notes;
    private final JwtMinter subscriberTokens;

    /** What the page posts. */
    record NoteForm(String text) {
    }

    // snippet:token-minter
    NotesController(NoteService notes, EsperConfig esper) {
        this.notes = notes;
        this.subscriberTokens = JwtMinter.hmac(esper.subscriberSecret()
                .orElseThrow(() -> new IllegalStateException("set esper.subscriber-secret")));
    }
    // end-snippet:token-minter

    @GetMapping("/notes")
    List<Note> latest() {
        return notes.latest(50);
    }

    @PostMapping("/notes")
    @ResponseStatus(HttpStatus.CREATED)
    Note save(@RequestBody NoteForm form) {
        try {
            return notes.save(form.text());
        } catch (IllegalArgumentException e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, e.getMessage());
        }
    }

    // snippet:token
    /** A token for the page's stream, valid for 10 minutes. With users, hand it only to those who may read. */
    @GetMapping("/token")
    Map<String, String> token() {
        return Map.of("topic", NoteFeed.TOPIC.value(),
                "token", subscriberTokens.mint(NoteFeed.TOPIC, Duration.ofMinutes(10)));
    }
    // end-snippet:token
}
