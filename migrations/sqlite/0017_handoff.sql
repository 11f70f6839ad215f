-- Handoff (the dashboard guide's Transfer and Delegate): the operator a pending delegation was
-- sent to and the sender's reason, kept on the conversation while the request is pending.
-- Kept equal to PostgreSQL's 0017.
ALTER TABLE conversations ADD COLUMN delegated_to INTEGER REFERENCES users(id);
ALTER TABLE conversations ADD COLUMN delegation_reason TEXT;
-- Lines in the thread for operators only ("Ana transferred the conversation to Ben: VIP"):
-- never sent to the visitor's widget.
ALTER TABLE messages ADD COLUMN internal INTEGER NOT NULL DEFAULT 0 CHECK (internal IN (0, 1));
