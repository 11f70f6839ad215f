-- A new message updates its conversation's count, last message and activity time by trigger:
-- the same transaction, one statement fewer for every message sent.
CREATE TRIGGER messages_touch_conversation AFTER INSERT ON messages BEGIN
    UPDATE conversations SET message_count = message_count + 1, last_message = NEW.body,
        last_activity_at = NEW.created_at
    WHERE id = NEW.conversation_id;
END;
