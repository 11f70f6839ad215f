-- Leads captured in conversations ("Capture Lead"), listed on the Leads page newest first and
-- searched by the start of the email, name or company (each indexed, case-insensitive).
-- Kept equal to PostgreSQL's 0020.
CREATE TABLE leads (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER REFERENCES conversations(id),
    visitor_id      INTEGER REFERENCES visitors(id),
    email           TEXT NOT NULL COLLATE NOCASE,
    name            TEXT COLLATE NOCASE,
    phone           TEXT,
    company         TEXT COLLATE NOCASE,
    message         TEXT,
    captured_by     INTEGER REFERENCES users(id),
    created_at      INTEGER NOT NULL
);
CREATE INDEX leads_email ON leads(email);
CREATE INDEX leads_name ON leads(name);
CREATE INDEX leads_company ON leads(company);
CREATE INDEX leads_conversation ON leads(conversation_id);
