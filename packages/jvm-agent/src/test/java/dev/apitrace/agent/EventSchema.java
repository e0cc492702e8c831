package dev.apitrace.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import com.networknt.schema.path.PathType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks records against packages/core/schema/events.schema.json, the contract's
 * authority, with a full draft-07 validator (networknt json-schema-validator).
 * The schema's ajv-only "discriminator" keyword is an unknown keyword to draft-07
 * and is ignored; "format" (date-time) is asserted, not just annotated.
 */
final class EventSchema {
    private static final JsonNode NODE = read();
    private static final Schema SCHEMA = load();

    private EventSchema() {}

    private static JsonNode read() {
        Path file = TestPaths.moduleDir()
                .resolve("../core/schema/events.schema.json")
                .normalize();
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Schema load() {
        SchemaRegistryConfig config = SchemaRegistryConfig.builder()
                .formatAssertionsEnabled(true)
                .pathType(PathType.JSON_PATH)
                .build();
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(
                SpecificationVersion.DRAFT_7, builder -> builder.schemaRegistryConfig(config));
        Schema schema = registry.getSchema(NODE);
        schema.initializeValidators();
        return schema;
    }

    /** The problems of one record; empty when it fits the schema. */
    static List<String> problems(JsonNode record) {
        List<Error> errors = SCHEMA.validate(record);
        // The verdict is the whole schema's. For the message, do what the discriminator
        // does for ajv: keep only what the oneOf branch for this record's kind said,
        // not why every other kind's definition rejects it too.
        String kind = record.path("kind").asText();
        int branch = branchFor(kind);
        List<String> problems = new ArrayList<>();
        for (Error error : errors) {
            int from = oneOfBranch(error.getEvaluationPath());
            if (from < 0 || from == branch) {
                problems.add(error.toString());
            }
        }
        if (!errors.isEmpty() && branch < 0) {
            problems.add("$.kind: no definition for kind " + kind);
        }
        return problems.isEmpty() ? errors.stream().map(Error::toString).toList() : problems;
    }

    /** Index of the oneOf branch whose definition has kind {@code kind}; -1 if none. */
    private static int branchFor(String kind) {
        JsonNode oneOf = NODE.path("oneOf");
        for (int i = 0; i < oneOf.size(); i++) {
            String ref = oneOf.get(i).path("$ref").asText();
            JsonNode definition = NODE.at(ref.startsWith("#") ? ref.substring(1) : "/missing");
            if (kind.equals(
                    definition.path("properties").path("kind").path("const").asText(null))) {
                return i;
            }
        }
        return -1;
    }

    /** The oneOf branch an error came from (evaluation path oneOf/N/...); -1 if not inside one. */
    private static int oneOfBranch(NodePath path) {
        if (path.getNameCount() >= 2
                && "oneOf".equals(String.valueOf(path.getElement(0)))
                && path.getElement(1) instanceof Integer index) {
            return index;
        }
        return -1;
    }
}
