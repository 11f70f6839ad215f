-- WhatsApp messages as the webhook received them (signature checked), stored before Meta is
-- answered: once per Meta message id, however often Meta redelivers. `processed_at` is set
-- when the message has been put in its conversation. Kept equal to PostgreSQL's 0039.
CREATE TABLE whatsapp_inbound (
    id           INTEGER PRIMARY KEY,
    wamid        TEXT NOT NULL UNIQUE,
    phone        TEXT NOT NULL,
    message      TEXT NOT NULL,
    received_at  INTEGER NOT NULL,
    processed_at INTEGER
);
CREATE INDEX whatsapp_inbound_waiting ON whatsapp_inbound(id) WHERE processed_at IS NULL;
