package dev.apitrace.agent.testapp;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.ArrayList;
import java.util.List;

/** Type annotations inside code (JSR 308): on locals, casts, instanceof, new and a catch, which the class file ties to code offsets. */
public final class TypeAnnotated {
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE_USE)
    public @interface Visible {
        String value() default "";
    }

    @Retention(RetentionPolicy.CLASS)
    @Target(ElementType.TYPE_USE)
    public @interface Invisible {}

    private TypeAnnotated() {}

    public static int run(Object o) {
        @Visible("local")
        List<@Invisible String> names = new @Visible ArrayList<>();
        if (o instanceof @Visible String) {
            names.add((@Invisible String) o);
        }
        try {
            names.add(String.valueOf(Integer.parseInt(String.valueOf(o))));
        } catch (@Visible NumberFormatException e) {
            names.add("nan");
        }
        return names.size();
    }
}
