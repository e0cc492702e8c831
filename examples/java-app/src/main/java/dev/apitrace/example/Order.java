package dev.apitrace.example;

/** One order as read from the JSON file and stored in the database. */
public record Order(long id, String customer, String item, double amount) {}
