package dev.apitrace.agent.testapp;

import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.function.IntUnaryOperator;
import java.util.stream.Collectors;

/**
 * Language features the probes must leave working: records, sealed hierarchies,
 * nestmates (private access between nested classes without bridges), interfaces with
 * default and static methods, enums with bodies, lambdas, and a hidden class. It prints
 * what it computes and the declared members of its types, so a run with the agent can
 * be compared line by line with a bare run (no member added or removed).
 */
public final class ModernJava {
    private ModernJava() {}

    public record Point(int x, int y) {
        public Point {
            if (x < 0) {
                throw new IllegalArgumentException("x");
            }
        }

        int sum() {
            return x + y;
        }
    }

    public sealed interface Shape permits Square, Circle {
        double area();

        default String describe() {
            return getClass().getSimpleName() + " " + area();
        }

        static Shape unit() {
            return new Square(1);
        }
    }

    public static final class Square implements Shape {
        private final double side;

        Square(double side) {
            this.side = side;
        }

        @Override
        public double area() {
            return side * side;
        }
    }

    public static final class Circle implements Shape {
        private final double r;

        Circle(double r) {
            this.r = r;
        }

        @Override
        public double area() {
            return Math.round(Math.PI * r * r * 100) / 100.0;
        }
    }

    public enum Op {
        ADD {
            int apply(int a, int b) {
                return a + b;
            }
        },
        MUL {
            int apply(int a, int b) {
                return a * b;
            }
        };

        abstract int apply(int a, int b);
    }

    static final class Outer {
        private int secret = 41;

        final class Inner {
            int reveal() {
                return ++secret; // nestmate access to a private field
            }
        }
    }

    public static void main(String[] args) throws Throwable {
        Point p = new Point(3, 4);
        System.out.println("record " + p + " sum " + p.sum() + " equals " + p.equals(new Point(3, 4)));
        try {
            new Point(-1, 0);
        } catch (IllegalArgumentException e) {
            System.out.println("compact constructor threw " + e.getMessage());
        }
        Shape[] shapes = {Shape.unit(), new Circle(2)};
        for (Shape s : shapes) {
            String kind = s instanceof Square ? "square" : "circle";
            System.out.println(kind + ": " + s.describe());
        }
        System.out.println(
                "enum " + Op.ADD.apply(2, 3) + " " + Op.MUL.apply(2, 3) + " " + Arrays.toString(Op.values()));
        System.out.println("nestmate " + new Outer().new Inner().reveal());
        IntUnaryOperator twice = v -> v * 2;
        System.out.println("lambda " + twice.applyAsInt(21) + " "
                + Arrays.stream(new int[] {1, 2, 3}).map(v -> v + 1).sum());
        byte[] hidden =
                ModernJava.class.getResourceAsStream("HiddenTemplate.class").readAllBytes();
        Class<?> h = MethodHandles.lookup()
                .in(ModernJava.class)
                .defineHiddenClass(hidden, true)
                .lookupClass();
        Object greeting = h.getMethod("greeting").invoke(null);
        System.out.println("hidden " + greeting + " " + h.isHidden());
        for (Class<?> c : new Class<?>[] {
            Point.class, Shape.class, Square.class, Op.class, Op.ADD.getClass(), Outer.Inner.class, ModernJava.class
        }) {
            String methods = Arrays.stream(c.getDeclaredMethods())
                    .map(Method::toString)
                    .sorted()
                    .collect(Collectors.joining(","));
            System.out.println(c.getName() + " fields " + c.getDeclaredFields().length + " methods " + methods
                    + " nestHost " + c.getNestHost().getSimpleName() + " sealed " + c.isSealed());
        }
    }
}
