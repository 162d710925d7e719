-- Which crime categories each rule covers (a rule with no rows here covers any intentional crime).
CREATE OR REPLACE TABLE rule_crime_categories (
    rule_id        VARCHAR NOT NULL,
    crime_category VARCHAR NOT NULL
);
